"""The course's tooling: run the notebooks and tabulate their results, make the students' copies,
build the slides and the site, and check the pages. Lecturers and CI use it; notebooks never do.

It imports ``utils`` (the helpers the notebooks import); ``utils`` never imports it.
"""
