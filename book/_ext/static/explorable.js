/* Explorable figures (relu_course.plotting.explorable_lines): draw each one with Vega and
 * let its slider, a native <input type="range"> that the keyboard moves, choose the frame.
 * The page loads Vega (_static/vega/vega.min.js) before this file; both come from the site. */
(function () {
  "use strict";

  function start(root) {
    if (root.hasAttribute("data-explorable-ready") || typeof vega === "undefined") {
      return;
    }
    var spec = JSON.parse(root.querySelector("script.explorable-spec").textContent);
    var input = root.querySelector(".explorable-control input[type=range]");
    var output = root.querySelector(".explorable-control output");
    var frames = spec.usermeta.frames;
    var view = new vega.View(vega.parse(spec), {
      renderer: "svg",
      container: root.querySelector(".explorable-view"),
      hover: false
    });

    function show(i) {
      output.textContent = frames[i];
      input.setAttribute("aria-valuetext", spec.usermeta.slider + " = " + frames[i]);
      return view.signal("frame", i).runAsync().then(function () {
        root.setAttribute("data-frame", String(i));
      });
    }

    input.addEventListener("input", function () {
      show(Number(input.value));
    });
    root.querySelector(".explorable-control").hidden = false;
    root.setAttribute("data-explorable-ready", "");
    show(Number(input.value));
  }

  function startAll() {
    document.querySelectorAll("[data-explorable]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
