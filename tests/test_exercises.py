"""Tests of utils.exercises: nbgrader's solution markers, and the students' copies."""

from __future__ import annotations

import nbformat
import pytest

from utils import exercises

SOLVED = """model = None  # your model here
### BEGIN SOLUTION
model = "a trained model"
### END SOLUTION
print(model)"""


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_a_solution_becomes_its_starter():
    source, found = exercises.clear_cell(SOLVED, exercises.CODE_STUB)
    assert found and source == "model = None  # your model here\n# YOUR CODE HERE\nprint(model)"
    indented = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    assert exercises.clear_cell(indented, exercises.CODE_STUB)[0] == "def f():\n    # YOUR CODE HERE"
    assert exercises.clear_cell("x = 1", exercises.CODE_STUB) == ("x = 1", False)


@pytest.mark.parametrize(
    "broken",
    [
        "### BEGIN SOLUTION\nx = 1",
        "x = 1\n### END SOLUTION",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    ],
)
def test_unbalanced_markers_are_refused(broken):
    with pytest.raises(ValueError, match="solution region"):
        exercises.clear_cell(broken, exercises.CODE_STUB)


def test_clear_solutions_keeps_the_lesson_and_drops_solutions_only_cells():
    lesson = nbformat.v4.new_code_cell("print('lesson')", outputs=[nbformat.v4.new_output("stream", text="lesson\n")])
    solved = nbformat.v4.new_code_cell(
        SOLVED, outputs=[nbformat.v4.new_output("stream", text="a trained model\n")], execution_count=3
    )
    answer = nbformat.v4.new_markdown_cell("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION")
    only = nbformat.v4.new_code_cell("assert utils.all_checks_passed()", metadata={"tags": ["solutions-only"]})
    nb = exercises.clear_solutions(notebook(lesson, solved, answer, only))
    assert [c.source for c in nb.cells] == [
        "print('lesson')",
        "model = None  # your model here\n# YOUR CODE HERE\nprint(model)",
        "Why?\nYOUR ANSWER HERE",
    ]
    assert nb.cells[0].outputs and not nb.cells[1].outputs and nb.cells[1].execution_count is None


def test_student_copy_has_no_solution_and_no_output(tmp_path):
    path = tmp_path / "solved.ipynb"
    solved = nbformat.v4.new_code_cell(SOLVED, outputs=[nbformat.v4.new_output("stream", text="secret\n")])
    lesson = nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output("stream", text="2\n")])
    nbformat.write(notebook(lesson, solved), path)
    exercises.student_copy(path, tmp_path / "out" / "copy.ipynb")
    text = (tmp_path / "out" / "copy.ipynb").read_text()
    assert "a trained model" not in text and "secret" not in text and "BEGIN SOLUTION" not in text
    copy = nbformat.read(tmp_path / "out" / "copy.ipynb", as_version=4)
    assert all(not c.outputs for c in copy.cells)


def test_the_committed_notebooks_have_labs_whose_copies_hide_every_solution(tmp_path):
    from utils import config

    notebooks = sorted((config.PROJECT_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert len(notebooks) == 7
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        checks = [c for c in nb.cells if c.cell_type == "code" and "utils.check_" in c.source]
        solutions = [c for c in nb.cells if exercises.BEGIN in c.source]
        assert 3 <= len(checks) <= 5 and len(solutions) >= len(checks), path.name
        exercises.student_copy(path, tmp_path / path.name)
        copy = (tmp_path / path.name).read_text()
        assert exercises.BEGIN not in copy and "solutions-only" not in copy, path.name


def test_check_student_copy_reports_an_answered_check(tmp_path):
    path = tmp_path / "00_lab.ipynb"
    nbformat.write(
        notebook(
            nbformat.v4.new_code_cell("import utils\nanswer = None"),
            nbformat.v4.new_code_cell("utils.check_mae(answer)"),
            nbformat.v4.new_code_cell("utils.check_mae(lambda t, p: 0.0)"),
        ),
        path,
    )
    problems = exercises.check_student_copy(path)
    assert len(problems) == 1 and "lambda" in problems[0] and "NOT YET" in problems[0]
