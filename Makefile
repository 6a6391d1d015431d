# Two commands: `make book` builds the website, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MATHJAX_VERSION := 3.2.2
VEGA_VERSION := 6.4.0
VENDOR := .vendor/static
MATHJAX := $(VENDOR)/es5/startup.js
VEGA := $(VENDOR)/vega/vega.min.js

.PHONY: book test setup lint unit browser-deps clean bench reseed

setup: $(STAMP) $(MATHJAX) $(VEGA)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# MathJax and Vega are served by the site itself (from $(VENDOR), the html_static_path), so math
# and explorable figures render with no network. Of MathJax, only the components the pages load
# (_config.yml's mathjax3_config: TeX input, CommonHTML output and its fonts, assistive MathML)
# and the TeX extensions it loads on demand: 2 MB, not the package's 24 MB.
MATHJAX_FILES := startup.js core.js input/tex.js output/chtml.js output/chtml/fonts/tex.js \
  output/chtml/fonts/woff-v2 input/tex/extensions a11y/assistive-mml.js
$(MATHJAX):
	command -v npm >/dev/null || { echo "npm is needed to fetch MathJax: install Node.js (apt-get install npm)"; exit 1; }
	rm -rf .vendor/npm && mkdir -p .vendor/npm
	npm install --silent --no-audit --no-fund --prefix .vendor/npm mathjax@$(MATHJAX_VERSION)
	rm -rf $(VENDOR)/es5 && mkdir -p $(VENDOR)/es5
	tar -C .vendor/npm/node_modules/mathjax/es5 -cf - $(MATHJAX_FILES) | tar -C $(VENDOR)/es5 -xf -
	cp .vendor/npm/node_modules/mathjax/LICENSE $(VENDOR)/es5/LICENSE
	rm -rf .vendor/npm

# Vega draws the explorable figures (relu_course.plotting.explorable_lines).
$(VEGA):
	command -v npm >/dev/null || { echo "npm is needed to fetch Vega: install Node.js (apt-get install npm)"; exit 1; }
	rm -rf .vendor/npm-vega && mkdir -p .vendor/npm-vega
	npm install --silent --no-audit --no-fund --prefix .vendor/npm-vega vega@$(VEGA_VERSION)
	rm -rf $(VENDOR)/vega && mkdir -p $(VENDOR)/vega
	cp .vendor/npm-vega/node_modules/vega/LICENSE $(VENDOR)/vega/LICENSE
	cp .vendor/npm-vega/node_modules/vega/build/vega.min.js $@
	rm -rf .vendor/npm-vega

book: setup
	$(BIN)/jupyter-book build . --builder html -W --keep-going
	@echo "Open $(CURDIR)/_build/html/index.html in a browser."

lint: setup
	$(BIN)/ruff check .

# Headless Chromium for the browser tests (Debian's package).
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package for the browser tests (sudo apt-get install chromium)"; exit 1; fi; }

# Every lab is executed once per CPU code path (nbval, strict), in parallel with the unit and
# browser tests; the book itself is built from the stored outputs that nbval checks.
NBVAL := -m pytest book --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg \
  -p no:cacheprovider -q
CPU_PATHS := native avx2 no-vector

test: setup browser-deps
	$(BIN)/ruff check .
	rm -rf _build/html  # a stale file from an earlier build must not reach the size checks
	$(BIN)/jupyter-book build . --builder html -W --keep-going
	@$(MAKE) --no-print-directory -j2 --output-sync=target unit $(addprefix nbval-,$(CPU_PATHS))

unit:
	$(BIN)/python -m pytest tests relu_course --doctest-modules -p no:cacheprovider -q

nbval-%:
	@echo "== nbval, every lab, as on a CPU with the $* code path"
	$(BIN)/python tests/cpu_paths.py $* -- $(BIN)/python $(NBVAL)

# Every lab again on a disjoint set of seeds: no claim's verdict may change.
reseed: setup
	$(BIN)/python tests/reseed.py

bench: setup
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf _build .pytest_cache .ruff_cache
