"""The students' copies (course.student_copies) and the solution markers they clear (course.lessons)."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course import lessons
from course.student_copies import verify_student_copy, write_student_copy

SOLVED = f'model = None  # your model here\n{lessons.BEGIN}\nmodel = "a trained model"\n{lessons.END}\nprint(model)'
CLEARED = "model = None  # your model here\n# YOUR CODE HERE\nprint(model)"


def test_an_indented_solution_becomes_an_indented_stub():
    indented = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    assert lessons.clear_cell(indented, lessons.CODE_STUB)[0] == "def f():\n    # YOUR CODE HERE"


@pytest.mark.parametrize(
    "broken", [f"{lessons.BEGIN}\nx = 1", f"x = 1\n{lessons.END}", f"{lessons.BEGIN}\n{lessons.BEGIN}\n"]
)
def test_unbalanced_markers_are_refused(broken):
    with pytest.raises(ValueError, match="solution region"):
        lessons.clear_cell(broken, lessons.CODE_STUB)


def test_clear_solutions_keeps_the_lesson_and_drops_solutions_only_cells():
    lesson = new_code_cell("print('lesson')", outputs=[new_output("stream", text="lesson\n")])
    solved = new_code_cell(SOLVED, outputs=[new_output("stream", text="a trained model\n")], execution_count=3)
    answer = new_markdown_cell("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION")
    only = new_code_cell("assert utils.all_checks_passed()", metadata={"tags": ["solutions-only"]})
    nb = lessons.clear_solutions(new_notebook(cells=[lesson, solved, answer, only]))
    assert [c.source for c in nb.cells] == ["print('lesson')", CLEARED, "Why?\nYOUR ANSWER HERE"]
    assert nb.cells[0].outputs and not nb.cells[1].outputs and nb.cells[1].execution_count is None


def test_the_students_copies_of_the_lessons_hide_every_solution_and_output(tmp_path):
    notebooks = lessons.lesson_notebooks()
    assert len(notebooks) == 7
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        checks = [c for c in nb.cells if c.cell_type == "code" and "utils.check_" in c.source]
        solutions = [c for c in nb.cells if lessons.BEGIN in c.source]
        assert 3 <= len(checks) <= 5 and len(solutions) >= len(checks), path.name
        write_student_copy(path, tmp_path / path.name)
        text = (tmp_path / path.name).read_text()
        assert lessons.BEGIN not in text and "solutions-only" not in text, path.name
        assert not any(c.get("outputs") for c in nbformat.read(tmp_path / path.name, as_version=4).cells), path.name


def test_verify_student_copy_reports_an_answered_check(tmp_path):
    path = tmp_path / "00_lab.ipynb"
    cells = ["import utils\nanswer = None", "utils.check_mae(answer)", "utils.check_mae(lambda t, p: 0.0)"]
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in cells]), path)
    problems = verify_student_copy(path)
    assert len(problems) == 1 and "lambda" in problems[0] and "NOT YET" in problems[0]
