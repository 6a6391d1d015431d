"""The shared checker helpers build messages a learner can act on, and never pass wrong values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from relu_course.checks._common import (
    assert_close,
    call_learner,
    check_tensor_like,
    edge_values,
    fail,
    format_value,
    gradient,
    passed,
)


def test_passed_prints_exactly_one_confirmation_line(capsys):
    passed("relu matches the reference")
    assert capsys.readouterr().out == "✓ relu matches the reference\n"


def test_fail_message_lists_input_expected_actual_and_hint():
    with pytest.raises(AssertionError) as info:
        fail("relu(x) is wrong.", input=-1.0, expected=0.0, actual=-1.0, hint="clip at zero")
    lines = str(info.value).splitlines()
    assert lines[0] == "relu(x) is wrong."
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "input",
        "expected",
        "actual",
        "hint",
    ]


def test_fail_leaves_out_fields_that_were_not_given():
    with pytest.raises(AssertionError) as info:
        fail("no function named relu was defined.")
    assert str(info.value) == "no function named relu was defined."


def test_format_value_summarises_large_tensors_with_shape_and_dtype():
    text = format_value(torch.zeros(100, 100))
    assert "(100, 100)" in text and "torch.float32" in text and len(text) < 120


def test_assert_close_accepts_values_within_tolerance():
    x = torch.tensor([1.0, 2.0])
    assert_close(x + 1e-7, x)
    assert_close(torch.tensor([float("nan")]), torch.tensor([float("nan")]))
    assert_close(torch.tensor(2.0), 2.0)


def test_assert_close_reports_the_worst_element_and_its_input():
    x = torch.tensor([-2.0, -0.5, 0.0, 3.0])
    wrong = torch.tensor([-2.0, -0.5, 0.0, 3.0])  # forgot to clip
    with pytest.raises(AssertionError) as info:
        assert_close(wrong, x.clamp(min=0), input=x, what="relu(x)", hint="clip at zero")
    message = str(info.value)
    assert message.startswith("relu(x) is wrong: 2 of 4 values differ.")
    assert "largest error at index (0,): input -2, expected 0, got -2" in message
    assert "input:" in message and "expected:" in message and "actual:" in message
    assert message.endswith("hint: clip at zero")


def test_assert_close_accepts_numpy_scalars_and_reports_a_wrong_scalar_tensor():
    assert_close(np.float32(0.5), 0.5)
    assert_close(np.int64(3), 3)
    with pytest.raises(AssertionError) as info:
        assert_close(torch.tensor(1.0), torch.tensor(2.0), what="the loss")
    assert str(info.value).splitlines() == [
        "the loss is wrong.",
        "  expected: tensor(2)",
        "  actual:   tensor(1)",
    ]


def test_assert_close_treats_nan_against_a_number_as_a_mismatch():
    with pytest.raises(AssertionError, match="largest error"):
        assert_close(torch.tensor([float("nan"), 1.0]), torch.tensor([0.0, 1.0]))


def test_assert_close_rejects_a_wrong_number_and_a_non_number():
    with pytest.raises(AssertionError, match=r"expected: 0\.5"):
        assert_close(0.6, 0.5, what="the fraction")
    with pytest.raises(AssertionError, match="should be a number, got str"):
        assert_close("0.5", 0.5, what="the fraction")
    with pytest.raises(AssertionError, match="should be a number, got bool"):
        assert_close(True, 1.0)


@pytest.mark.parametrize(
    ("actual", "problem"),
    [
        ([0.0, 1.0], "should be a torch.Tensor, got list"),
        (torch.zeros(3), "has shape (3,), expected shape (2,)"),
        (torch.zeros(2, dtype=torch.float64), "has dtype torch.float64, expected torch.float32"),
        (torch.empty(2, device="meta"), "is on device meta, expected cpu"),
    ],
)
def test_check_tensor_like_names_the_mismatch(actual, problem):
    with pytest.raises(AssertionError) as info:
        check_tensor_like(actual, torch.zeros(2), what="relu(x)")
    assert str(info.value).startswith("relu(x) " + problem)
    assert "hint:" in str(info.value)


def test_assert_close_can_ignore_the_dtype():
    assert_close(torch.zeros(2, dtype=torch.float64), torch.zeros(2), check_dtype=False)


def test_call_learner_turns_a_stub_into_not_implemented_yet():
    def relu(x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"^relu is not implemented yet: replace `raise"):
        call_learner(relu, torch.zeros(2))


def test_call_learner_names_the_exception_and_the_input():
    def relu(x):
        return x.nonexistent()

    with pytest.raises(AssertionError) as info:
        call_learner(relu, torch.tensor([1.0]))
    assert str(info.value).startswith("relu raised AttributeError for input tensor([1]): ")
    assert isinstance(info.value.__cause__, AttributeError)


def test_call_learner_returns_the_result_and_rejects_non_functions():
    assert call_learner(abs, -3) == 3
    with pytest.raises(AssertionError, match="expected a function"):
        call_learner(None, 1)


def test_edge_values_hold_both_zeros_and_keep_the_dtype():
    values = edge_values(torch.float64)
    assert values.dtype == torch.float64
    zeros = values[values == 0]
    assert sorted(torch.signbit(zeros).tolist()) == [False, True]


def test_gradient_matches_the_derivative():
    x = torch.tensor([-1.0, 2.0])
    assert torch.equal(gradient(torch.sin, x), torch.cos(x))


def test_gradient_explains_an_output_cut_off_from_the_graph():
    def relu(x):
        return x.detach().clamp(min=0)

    with pytest.raises(AssertionError, match="not connected to its input"):
        gradient(relu, torch.tensor([1.0]))
