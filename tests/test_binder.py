"""The Binder image: binder/ as repo2docker builds it for mybinder.org or a JupyterHub, checked without Docker.

``repo2docker --no-build --debug`` prints the Dockerfile it would build. These tests read it and redo the build here:
repo2docker's base environment becomes a new virtual environment of the same Python holding the base's Jupyter
packages, and the steps that binder/ adds run as an unprivileged user in a copy of the repository that this user
owns, as the image's $HOME. The image's command then serves the notebooks, and one runs through the server's REST and
websocket API as it does in a student's browser. A step this test cannot redo (apt.txt, environment.yml, another
buildpack) fails it, so that no configuration file goes untested.

Needs root (to act as that user), repo2docker (requirements.txt) and the data mirror: it skips without them, and fails
on CI. About two and a half minutes on two CPUs: one of the stand-ins (``make standins``, ``-m standin``).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
import requests
import websocket
import yaml
from conftest import HAVE_MIRROR, MIRROR
from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session

from utils.config import PROJECT_ROOT

pytestmark = pytest.mark.standin

USER = "jovyan"  # the user of Jupyter's images: created when missing, and left in place (its home keeps pip's cache)
NOTEBOOK = "notebooks/01_mnist.ipynb"  # the quickest in fast mode: about 30 s on two CPUs
CELL_TIMEOUT = 600  # seconds
# repo2docker's base environment, installed by pip: conda-forge's jupyterhub-singleuser is part of PyPI's jupyterhub,
# Python is the new environment's own, and Node.js (for building JupyterLab extensions) is not a Python package.
PIP_NAMES = {"jupyterhub-singleuser": "jupyterhub"}
NOT_FROM_PIP = {"python", "nodejs"}
# The steps binder/ may add that this test redoes, each run as the image's user: the install of
# binder/requirements.txt, postBuild, and binder/start made executable (the server is then started through it).
USER_STEPS = re.compile(
    r'\$\{KERNEL_PYTHON_PREFIX\}/bin/pip install --no-cache-dir -r "binder/requirements\.txt"'
    r'|chmod \+x "?(\$\{REPO_DIR\}/)?binder/(postBuild|start)"?'
    r"|\./binder/postBuild"
)


def _missing() -> str | None:
    """Return why the image cannot be built and served here (one line), or None when it can."""
    if importlib.util.find_spec("repo2docker") is None:
        return "repo2docker is not installed (it is in requirements.txt)"
    if os.geteuid() != 0:
        return "needs root, to build and serve the image as an unprivileged user"
    if not shutil.which("git") or not shutil.which("setpriv") or not shutil.which("useradd"):
        return "needs git, setpriv and useradd"
    if not HAVE_MIRROR:
        return "offline data mirror missing (DLS_DATA_DIR, ../shared/data)"
    return None


@dataclass
class Build:
    """The Dockerfile's build as this test redoes it."""

    dockerfile: str = field(repr=False)
    python: str  # the base environment's Python, e.g. "3.11"
    base_packages: list[str]  # pip's requirements for the Python packages of repo2docker's base environment
    steps: list[str]  # the shell commands binder/ adds, in order, run by the image's user in the repository
    entrypoint: str | None  # binder/start, through which the image's command runs
    command: list[str]  # the image's command (CMD)
    not_redone: list[str]  # the Dockerfile's instructions that this test cannot redo


@dataclass
class Image:
    """The built environment: the image's user, its $HOME (the repository), environment variables and Python."""

    user: pwd.struct_passwd
    home: Path
    env: dict[str, str]
    prefix: Path  # the environment's folder (the image's /srv/conda/envs/notebook)


def as_user(user: pwd.struct_passwd, env: Mapping[str, str], *command: str | Path) -> list[str]:
    """Return the command line that runs ``command`` as ``user`` with ``env`` as its whole environment."""
    switch = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    # One privilege kept: reading any folder, for the Python these tests run on (pyenv's, say, under /root, which is
    # closed to other users; Debian's python3.11 is older than what the lock's packages ask for). Writing stays the
    # user's own: the repository, the environment and the data cache must be writable as in the image.
    switch += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return [*switch, "env", "-i", *(f"{name}={value}" for name, value in env.items()), *map(str, command)]


def run_as(image: Image, *command: str | Path, timeout: float = 900) -> None:
    """Run ``command`` as the image's user in its $HOME; AssertionError with the end of its output when it fails."""
    done = subprocess.run(
        as_user(image.user, image.env, *command),
        cwd=image.home, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{(done.stdout + done.stderr)[-3000:]}"


def dockerfile(repo: Path, user: pwd.struct_passwd) -> str:
    """Return the Dockerfile repo2docker would build for ``repo``, with ``user`` as the image's user."""
    printed = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", f"--user-id={user.pw_uid}",
         f"--user-name={user.pw_name}", repo],
        cwd=repo.parent,  # not the project: repo2docker reads a repo2docker_config.py in its working folder
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert printed.returncode == 0, f"repo2docker failed:\n{printed.stderr[-3000:]}"
    return printed.stdout


def instructions(dockerfile: str) -> list[str]:
    """Return the Dockerfile's instructions, one string each: continued lines joined, comments and blank lines out."""
    lines = dockerfile.replace("\\\n", " ").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def repo2docker_file(copied: str) -> Path:
    """Return the file of repo2docker's own that a ``COPY build_script_files/...`` copies; LookupError if none."""
    import repo2docker
    from repo2docker.buildpacks.base import BuildPack

    for path in Path(repo2docker.__file__).parent.rglob("*"):
        if BuildPack.generate_build_context_filename(str(path))[0] == copied:
            return path
    raise LookupError(copied)


def base_environment(dockerfile: str) -> tuple[str, list[str]]:
    """Return the Python version of repo2docker's base environment and pip's requirements for its packages: the
    packages its environment file asks for, at the versions of its conda lock."""
    file = re.search(r"^ENV NB_ENVIRONMENT_FILE=(\S+)$", dockerfile, re.MULTILINE)[1]
    lock = repo2docker_file(re.search(rf"^COPY \S+ (build_script_files/\S+) {file}$", dockerfile, re.MULTILINE)[1])
    python = re.fullmatch(r"environment\.py-(\d+\.\d+)-linux-64\.lock", lock.name)[1]
    asked = yaml.safe_load(lock.with_name(f"environment.py-{python}.yml").read_text())["dependencies"]
    names = [re.match(r"[\w.-]+", spec)[0] for spec in asked]
    # the lock's lines end in .../NAME-VERSION-BUILD.conda#MD5
    versions = dict(re.findall(r"/([^/\s]+)-([^-/\s]+)-[^-/\s]+\.(?:conda|tar\.bz2)#", lock.read_text()))
    return python, [f"{PIP_NAMES.get(name, name)}=={versions[name]}" for name in names if name not in NOT_FROM_PIP]


def read_build(repo: Path, user: pwd.struct_passwd) -> Build:
    """Return the build repo2docker's Dockerfile for ``repo`` describes, in the terms this test redoes it.

    What binder/ adds is what the Dockerfile has beyond that of a binder/ holding only ``runtime.txt`` (the base image
    for that Python, for which this test makes a new environment)."""
    text = dockerfile(repo, user)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "base" / "binder").mkdir(parents=True)
        shutil.copy(repo / "binder" / "runtime.txt", Path(folder) / "base" / "binder")
        base = set(instructions(dockerfile(Path(folder) / "base", user)))
    python, packages = base_environment(text)
    build = Build(text, python, packages, steps=[], entrypoint=None, command=[], not_redone=[])
    running_as = "root"
    for line in instructions(text):
        keyword, _, argument = line.partition(" ")
        if keyword == "USER":
            running_as = argument
        elif keyword == "CMD":
            build.command = json.loads(argument)
        elif line in base:
            continue  # the base image, which the new environment stands in for
        elif keyword == "RUN" and running_as == "${NB_USER}" and USER_STEPS.fullmatch(argument):
            build.steps.append(argument)
        elif keyword == "COPY" and re.search(r" src/\S* \$\{REPO_DIR\}/", line):
            continue  # a file of the repository, which the copy holds already
        elif keyword == "ENV" and argument.startswith("R2D_ENTRYPOINT="):
            build.entrypoint = argument.partition("=")[2].strip('"')
        else:
            build.not_redone.append(line)
    return build


def copy_repository(home: Path) -> None:
    """Copy the project's files as git would commit them (tracked and new ones, no ignored ones such as .venv, build/
    and data/'s downloads) into ``home``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    for name in filter(None, listed.stdout.split("\0")):
        if (PROJECT_ROOT / name).is_file():  # not a tracked file deleted from the working tree
            (home / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, home / name)


@pytest.fixture(scope="module")
def user() -> pwd.struct_passwd:
    """Return the image's user, an unprivileged account (created when missing); skip or, on CI, fail without the tools."""
    if reason := _missing():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)
    return pwd.getpwnam(USER)


@pytest.fixture(scope="module")
def workspace(user) -> Iterator[Path]:
    """Yield a folder of the user's for the build (removed afterwards), holding ``home/jovyan``: the image's $HOME,
    which is also its repository, a copy of the project owned by the user as repo2docker's ``COPY --chown`` does."""
    folder = Path(tempfile.mkdtemp(prefix="dls-binder-"))
    try:
        copy_repository(folder / "home" / USER)
        subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", folder], check=True)
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.fixture(scope="module")
def build(workspace, user) -> Build:
    """Return the build of the Dockerfile repo2docker prints for the copy of the project."""
    return read_build(workspace / "home" / USER, user)


@pytest.fixture(scope="module")
def image(build, workspace, user) -> Image:
    """Return the image's environment, built as the Dockerfile says: a new environment with the base's packages, then
    binder/'s steps. pip's cache (in the user's own home) stands in for Docker's cache of the layers."""
    if build.not_redone:
        pytest.fail("the Dockerfile has steps this test cannot redo: see the test of the Dockerfile", pytrace=False)
    home, prefix = workspace / "home" / USER, workspace / "env"
    pip_cache = Path(user.pw_dir) / ".cache" / "pip"
    subprocess.run(
        ["install", "-d", "-o", user.pw_name, "-g", str(user.pw_gid), pip_cache.parent, pip_cache], check=True
    )
    # The image's variables (Dockerfile's ENV), and pip's settings and proxies of this machine, to reach the registry.
    env = {
        "HOME": str(home),
        "USER": user.pw_name,
        "NB_USER": user.pw_name,
        "REPO_DIR": str(home),
        "NB_PYTHON_PREFIX": str(prefix),
        "KERNEL_PYTHON_PREFIX": str(prefix),
        "PATH": f"{home}/.local/bin:{prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "SHELL": "/bin/bash",
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PIP_CACHE_DIR": str(pip_cache),
    } | {name: value for name, value in os.environ.items() if name.startswith("PIP_") or name.endswith("_proxy")}
    image = Image(user, home, env, prefix)
    run_as(image, Path(sys.base_prefix) / "bin" / f"python{build.python}", "-m", "venv", prefix)
    run_as(image, prefix / "bin" / "python", "-m", "pip", "install", "--quiet", *build.base_packages)
    for step in build.steps:
        run_as(image, "bash", "-c", step.replace(" --no-cache-dir", ""))
    run_as(image, prefix / "bin" / "python", "-m", "pip", "check")  # e.g. a Notebook that needs another JupyterLab
    return image


def test_the_dockerfile_has_only_steps_this_test_redoes(build, workspace):
    if build.not_redone:
        steps = "\n".join(build.not_redone)
        pytest.fail(f"the Dockerfile has steps this test cannot redo (a new file in binder/?):\n{steps}", pytrace=False)
    binder = workspace / "home" / USER / "binder"
    unused = [file.name for file in binder.iterdir() if f"binder/{file.name}" not in build.dockerfile]
    unused.remove("runtime.txt")  # read for the Python version, which is checked next
    assert not unused, f"repo2docker does not use these files of binder/ (misspelt?): {unused}"
    assert (binder / "runtime.txt").read_text().split() == [f"python-{build.python}"]
    tested = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert build.python == tested, f"binder/runtime.txt names Python {build.python}, the tests run on {tested}"
    assert any("binder/requirements.txt" in step for step in build.steps)


@dataclass
class Server:
    """A running Jupyter server: its address (``127.0.0.1:PORT``) and an HTTP session that sends its token."""

    address: str
    http: requests.Session


@contextmanager
def jupyter_server(image: Image, build: Build, env: Mapping[str, str], log: Path) -> Iterator[Server]:
    """Start the image's command as its user, on a free port of 127.0.0.1 with a token of its own, and yield it once
    it answers; stop it afterwards. AssertionError (with the end of its ``log``) when it stops or does not answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    command = [*([build.entrypoint.replace("${REPO_DIR}", str(image.home))] if build.entrypoint else [])]
    command += ["127.0.0.1" if part == "0.0.0.0" else part for part in build.command]
    command += [f"--port={port}", "--no-browser", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    server = Server(f"127.0.0.1:{port}", requests.Session())
    server.http.headers["Authorization"] = f"token {token}"
    with log.open("w") as output:
        process = subprocess.Popen(as_user(image.user, env, *command), cwd=image.home, stdout=output, stderr=output)
    try:
        for _ in range(120):
            assert process.poll() is None, f"the server stopped:\n{log.read_text()[-3000:]}"
            try:
                if server.http.get(f"http://{server.address}/api/status", timeout=5).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"the server did not answer within a minute:\n{log.read_text()[-3000:]}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def execute(channels: websocket.WebSocket, code: str, **expressions: str) -> dict:
    """Run ``code`` in the kernel behind ``channels``, then evaluate ``expressions`` there; return the content of its
    ``execute_reply``: ``status``, on an error ``ename``, ``evalue`` and ``traceback``, and the expressions' values."""
    content = {"code": code, "silent": False, "store_history": True, "allow_stdin": False, "stop_on_error": True}
    request = Session().msg("execute_request", content | {"user_expressions": expressions})
    channels.send(json.dumps(request | {"channel": "shell"}, default=json_default))
    while True:  # past the outputs (the iopub channel's messages) to the reply
        message = json.loads(channels.recv())
        if message["msg_type"] == "execute_reply" and message["parent_header"]["msg_id"] == request["msg_id"]:
            return message["content"]


def failure(reply: dict) -> str | None:
    """Return the error of an ``execute_reply`` as text (exception, then the traceback without colours), or None."""
    if reply["status"] == "ok":
        return None
    trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(reply.get("traceback", [])))
    return f"{reply.get('ename')}: {reply.get('evalue')}\n{trace}"


def test_the_image_serves_jupyterlab_and_a_notebook_runs_in_it(image, build, workspace):
    env = image.env | {"DLS_DATA_DIR": str(MIRROR), "DLS_FAST": "1"}  # the mirror: read-only for the user

    with jupyter_server(image, build, env, workspace / "server.log") as server:
        url, http = f"http://{server.address}", server.http
        assert http.get(f"{url}/lab").ok, "JupyterLab does not open"
        # nbgitpuller's page for a link (it pulls only once a browser runs the page's script)
        assert http.get(f"{url}/git-pull", params={"repo": "https://127.0.0.1/course.git"}).ok, "no nbgitpuller"
        notebook = nbformat.from_dict(http.get(f"{url}/api/contents/{NOTEBOOK}").json()["content"])
        kernel = notebook.metadata.kernelspec
        specs = http.get(f"{url}/api/kernelspecs").json()["kernelspecs"]
        assert kernel.name in specs, f"no kernel {kernel.name}: the server has {sorted(specs)}"
        assert specs[kernel.name]["spec"]["display_name"] == kernel.display_name

        # As JupyterLab opens a notebook: a session for its path starts its kernel in its folder.
        model = {"path": NOTEBOOK, "type": "notebook", "name": "", "kernel": {"name": kernel.name}}
        opened = http.post(f"{url}/api/sessions", json=model)
        assert opened.ok, opened.text
        kernel_id = opened.json()["kernel"]["id"]
        address = f"ws://{server.address}/api/kernels/{kernel_id}/channels"
        auth = [f"Authorization: {http.headers['Authorization']}"]
        with closing(websocket.create_connection(address, header=auth, timeout=CELL_TIMEOUT)) as channels:
            where = execute(
                channels, "import os, sys, utils",
                prefix="sys.prefix", helpers="utils.__file__", cache="str(utils.config.cache_dir())",
                writable="os.access(utils.config.cache_dir(), os.W_OK)",
            )  # fmt: skip
            if error := failure(where):
                pytest.fail(f"the kernel cannot import the helpers: {error}", pytrace=False)
            values = where["user_expressions"].items()
            found = {name: ast.literal_eval(value["data"]["text/plain"]) for name, value in values}
            assert found == {
                "prefix": str(image.prefix),  # the kernel is the environment's Python
                "helpers": str(image.home / "utils" / "__init__.py"),  # editable: the repository's utils/
                "cache": str(image.home / "data"),  # downloads go to the repository's data/, which the user may write
                "writable": True,
            }

            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code" and (error := failure(execute(channels, cell.source))):
                    pytest.fail(f"{NOTEBOOK}, cell {index}: {error}", pytrace=False)
        http.delete(f"{url}/api/sessions/{opened.json()['id']}")
