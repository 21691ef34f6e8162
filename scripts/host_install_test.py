#!/usr/bin/env python3
"""Installs the wheel into a new `wagtail start` site by following docs/install.md.

Run by scripts/host-install-test.sh (`make host-test`, CI). Step by step, stopping with a
clear message at the first one that fails:

1. build the wheel from the repository's files (the H5P player is copied in by setup.py)
   and check what is in it: the apps with their templates, static files, locales and data,
   the player, and none of the reference site, tests or benchmarks;
2. make a virtual environment in a temporary folder, install Wagtail, `wagtail start` a
   site;
3. apply every block of docs/install.md marked with an `install-test` comment, in order:
   install the wheel, add the settings and the URLs, migrate, start the task worker and
   the scheduler;
4. make content with the host's `manage.py shell` (scripts/host_install_content.py) and
   serve the site with `runserver`;
5. over real HTTP, as people would (cookies, CSRF tokens, allauth's sign-in form): the
   course, module and lesson pages in the host's own base template with the NHS.UK
   stylesheet, enrolling, completing the lesson, the certificate PDF the worker renders,
   My learning, the CPD portfolio, competencies, compliance as the manager, the public
   verification page and JSON API, and the Wagtail admin as a superuser with one
   "Learning" menu.

The markers in docs/install.md, each an HTML comment just before a fenced block:

    <!-- install-test: pip -->                      pip install, the package name standing
                                                    for the wheel just built
    <!-- install-test: append PATH -->              add the block to the end of PATH
    <!-- install-test: insert-after PATH "LINE" --> add it after the first line that starts
                                                    with LINE
    <!-- install-test: create PATH -->              write PATH with the block
    <!-- install-test: run -->                      run each line in the site's folder
    <!-- install-test: background -->               start each line and keep it running

PATH is relative to the site's folder; its first part, `mysite`, is the project's name.

    HOST_TEST_KEEP=1 scripts/host-install-test.sh   # keep the folder (logs, pages) after
    HOST_TEST_REUSE=/tmp/imh-host-test.XXXX scripts/host-install-test.sh
                                                    # serve a kept site again, HTTP part only
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "install.md"
CONTENT_SCRIPT = ROOT / "scripts" / "host_install_content.py"
PACKAGE = "imh-learning"
PROJECT = "hostsite"
DOC_PROJECT = "mysite"
HOST = "127.0.0.1"
# wagtail start's base.html links the project's own stylesheet: the mark of the host's
# template. The NHS.UK stylesheet must come in through the apps' layout.
HOST_MARK = f"css/{PROJECT}.css"
NHSUK_CSS = "/static/wagtailnhsukfrontend/css/nhsuk-frontend"
PLAYER = "imh_assessments/h5p-standalone"
WHEEL_MUST_HAVE = (
    "imh_learning/urls.py",
    f"imh_assessments/static/{PLAYER}/main.bundle.js",
    f"imh_assessments/static/{PLAYER}/frame.bundle.js",
    f"imh_assessments/static/{PLAYER}/styles/h5p.css",
)
# Folders inside an app whose every file must be in the wheel.
PACKAGE_DATA = ("templates", "static", "locale", "data", "fixtures")
# The reference site's deployment choices, which must reach a host only through the extra.
SITE_ONLY = ("gunicorn", "psycopg", "django-storages", "boto3", "whitenoise", "redis")
MARKER = re.compile(
    r"<!--\s*install-test:\s*(?P<spec>.*?)\s*-->\s*\n```[^\n]*\n(?P<body>.*?)```", re.S
)
# A new site's own top-level admin menus; the apps add theirs under one "Learning" menu.
WAGTAIL_MENUS = {"Pages", "Images", "Documents", "Snippets", "Forms", "Reports", "Settings", "Help"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')


class Failed(Exception):
    """A step failed; the message says which and why."""


@dataclass
class Run:
    work: Path
    venv: Path
    site: Path
    wheel: Path | None = None
    # The repository's files the wheel was built from.
    files: tuple[str, ...] = ()
    base_url: str = ""

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def env(self) -> dict[str, str]:
        """The environment a site owner's shell would have: the venv first on PATH, and none
        of this repository's Django settings."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "IMH_", "VIRTUAL_ENV", "PYTHON"))
            and key not in {"DATABASE_URL", "REDIS_URL", "WAGTAILADMIN_BASE_URL"}
        }
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        env["PYTHONUNBUFFERED"] = "1"
        return env


STARTED = time.monotonic()
processes: list[tuple[str, subprocess.Popen, Path]] = []


def say(message: str) -> None:
    print(f"host test [{time.monotonic() - STARTED:5.0f} s] {message}", flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    say(name)
    try:
        yield
    except Failed as error:
        raise Failed(f"{name}: {error}") from None


def command(args: list[str], *, run: Run | None = None, cwd: Path | None = None, **kw) -> str:
    """Run a command to the end; its output, or Failed with the end of it."""
    result = subprocess.run(  # noqa: S603 (our own commands)
        args,
        cwd=cwd,
        env=run.env() if run else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        **kw,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-40:])
        raise Failed(f"`{shlex.join(args)}` exited {result.returncode}:\n{tail}")
    return result.stdout


def background(name: str, args: list[str], run: Run) -> subprocess.Popen:
    log = run.work / f"{name}.log"
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        args,
        cwd=run.site,
        env=run.env(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    processes.append((name, process, log))
    return process


def stop_processes() -> None:
    for _, process, _ in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for _, process, _ in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def logs_from_first_error() -> str:
    """The first error in each background process's log (the one to read: later ones are
    often its consequences), or the end of every log when none has an error."""
    errors, tails = [], []
    for name, _, log in processes:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        start = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
        if start is None:
            tails += [f"--- {name} log, its end", *lines[-10:]]
            continue
        # A traceback ends where the next log line (runserver's "[date] ...") begins; its last
        # lines, the exception and where it was raised, say the most.
        stop = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines)
        )
        errors += [f"--- {name} log, its first error", *lines[start:stop][-30:]]
    return "\n".join(errors or tails)


# 1. The wheel.


def repository_files() -> list[str]:
    """The repository's files as a fresh clone would have them, plus new ones not ignored."""
    output = command(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT
    )
    return [name for name in output.split("\0") if name and (ROOT / name).is_file()]


def wheel_build(run: Run) -> Path:
    """Build from a copy of the repository's files, so that nothing left over from another
    build (build/, a stale egg-info) can reach the wheel."""
    source = run.work / "source"
    run.files = tuple(repository_files())
    for name in run.files:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    player = ROOT / "node_modules" / "h5p-standalone"
    if player.is_dir():
        shutil.copytree(player, source / "node_modules" / "h5p-standalone")
    dist = run.work / "dist"
    command(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), "."],
        cwd=source,
    )
    wheels = list(dist.glob("*.whl"))
    if len(wheels) != 1:
        raise Failed(f"expected one wheel in {dist}, found {wheels}")
    return wheels[0]


def wheel_check(wheel: Path, files: tuple[str, ...]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(metadata_name).decode()
    tops = {name.split("/", 1)[0] for name in names}
    strays = sorted(t for t in tops if not t.startswith("imh_") or t.endswith(".data"))
    if strays:
        raise Failed(f"the wheel holds more than the apps: {strays}")
    for forbidden in ("cms/", "tests/", "bench/", "scripts/", "node_modules/"):
        if any(name.startswith(forbidden) for name in names):
            raise Failed(f"the wheel holds {forbidden}")
    missing = [name for name in WHEEL_MUST_HAVE if name not in names]
    data_files = [
        name
        for name in files
        if name.startswith("imh_")
        and len(parts := name.split("/")) > 2
        and parts[1] in PACKAGE_DATA
    ]
    missing += [name for name in data_files if name not in names]
    if missing:
        raise Failed(f"the wheel lacks {len(missing)} file(s), such as {missing[:5]}")
    requirements = re.findall(r"^Requires-Dist: (.+)$", metadata, re.M)
    forced = [
        requirement
        for requirement in requirements
        if requirement.lower().startswith(SITE_ONLY) and "extra ==" not in requirement
    ]
    if forced:
        raise Failed(f"the wheel forces site-only packages on a host: {forced}")
    say(
        f"  {wheel.name}: {len(names)} files, {len(data_files)} templates, static and data "
        "files, the H5P player, no cms/tests/bench"
    )


# 2. and 3. The host site, by the document.


@dataclass
class Block:
    spec: str
    body: str


def doc_blocks() -> list[Block]:
    blocks = [Block(m["spec"], m["body"]) for m in MARKER.finditer(DOC.read_text())]
    if not blocks:
        raise Failed(f"{DOC} has no install-test blocks")
    return blocks


def site_path(run: Run, path: str) -> Path:
    first, _, rest = path.partition("/")
    if first != DOC_PROJECT:
        raise Failed(f"paths in the document start with {DOC_PROJECT}/, not {path}")
    return run.site / PROJECT / rest


def block_apply(block: Block, run: Run) -> None:
    action, _, argument = block.spec.partition(" ")
    lines = [
        line.strip()
        for line in block.body.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if action == "pip":
        for line in lines:
            args = shlex.split(line)
            if args[:2] != ["pip", "install"]:
                raise Failed(f"a pip block runs pip install only: {line}")
            args = [str(run.wheel) if arg == PACKAGE else arg for arg in args[2:]]
            say(f"  pip install {' '.join(args)}")
            command([run.python, "-m", "pip", "install", "--quiet", *args], run=run)
    elif action == "append":
        path = site_path(run, argument)
        path.write_text(path.read_text().rstrip("\n") + "\n\n\n" + block.body)
        say(f"  appended {len(block.body.splitlines())} lines to {path.relative_to(run.site)}")
    elif action == "insert-after":
        target, anchor = shlex.split(argument)
        path = site_path(run, target)
        text = path.read_text().splitlines(keepends=True)
        for index, line in enumerate(text):
            if line.startswith(anchor):
                text.insert(index + 1, block.body)
                break
        else:
            raise Failed(f"{path.relative_to(run.site)} has no line starting {anchor!r}")
        path.write_text("".join(text))
        say(f"  inserted into {path.relative_to(run.site)} after {anchor!r}")
    elif action == "create":
        path = site_path(run, argument)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.body)
        say(f"  created {path.relative_to(run.site)}")
    elif action == "run":
        for line in lines:
            say(f"  $ {line}")
            command(["sh", "-c", line], run=run, cwd=run.site)
    elif action == "background":
        for line in lines:
            args = shlex.split(line)
            name = args[2] if args[:2] == ["python", "manage.py"] else args[0]
            say(f"  $ {line} &")
            background(name, args, run)
    else:
        raise Failed(f"unknown install-test action {action!r} in {DOC}")


def site_create(run: Run) -> None:
    requirement = next(
        line.strip().strip('",')
        for line in (ROOT / "pyproject.toml").read_text().splitlines()
        if line.strip().startswith('"wagtail>')
    )
    # A plain Python, as a site owner's, not this repository's virtual environment.
    command([os.environ.get("PYTHON") or "python3", "-m", "venv", str(run.venv)])
    command([run.python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], run=run)
    command([run.python, "-m", "pip", "install", "--quiet", requirement], run=run)
    command([str(run.venv / "bin" / "wagtail"), "start", PROJECT], run=run, cwd=run.work)
    say(f"  {requirement} installed; `wagtail start {PROJECT}` made {run.site}")


def content_create(run: Run) -> dict:
    output = command(
        [run.python, "manage.py", "shell", "-c", CONTENT_SCRIPT.read_text()],
        run=run,
        cwd=run.site,
    )
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise Failed(f"the content script printed no result:\n{output[-2000:]}")
    return json.loads(lines[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_start(run: Run) -> None:
    port = free_port()
    run.base_url = f"http://{HOST}:{port}"
    server = background(
        "runserver",
        [run.python, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"],
        run,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Failed("runserver exited at start-up")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise Failed("runserver did not answer within 60 s")


# 5. Over HTTP.


class Browser:
    """One person's visits: cookies kept, redirects followed, pages saved for a look."""

    def __init__(self, run: Run, who: str) -> None:
        self.run = run
        self.who = who
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.count = 0

    def request(
        self, path: str, data: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str, bytes, dict]:
        url = urllib.parse.urljoin(self.run.base_url, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Our own server, on a local address.
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                status, final, content = response.status, response.url, response.read()
                headers = dict(response.headers)
        except urllib.error.HTTPError as error:
            status, final, content = error.code, error.url, error.read()
            headers = dict(error.headers)
        self.count += 1
        saved = self.run.work / "pages" / f"{self.who}-{self.count:02d}.html"
        saved.parent.mkdir(exist_ok=True)
        saved.write_bytes(content)
        return status, urllib.parse.urlsplit(final).path, content, headers

    def get(self, path: str, *, expect: str | None = None, host_page: bool = False) -> str:
        status, final, content, _ = self.request(path)
        text = content.decode(errors="replace")
        if status != 200:
            raise Failed(f"GET {path} as {self.who} answered {status} (at {final})")
        if expect is not None and expect not in text:
            raise Failed(f"GET {path} as {self.who}: the page does not say {expect!r}")
        if host_page:
            if HOST_MARK not in text:
                raise Failed(f"GET {path}: not in the host's base template ({HOST_MARK})")
            if NHSUK_CSS not in text:
                raise Failed(f"GET {path}: no NHS.UK stylesheet link ({NHSUK_CSS}...)")
        note = " (host base template, NHS.UK CSS)" if host_page else ""
        say(f"  {self.who}: GET {path} 200{note}")
        return text

    def post_form(self, page: str, action: str, data: dict | None = None) -> tuple[str, str]:
        """Submit a form found on ``page`` (its HTML) whose action is ``action``."""
        token = CSRF_INPUT.search(page)
        if token is None:
            raise Failed(f"no CSRF token on the page with the form to {action}")
        status, final, content, _ = self.request(
            action, {"csrfmiddlewaretoken": token["token"], **(data or {})}
        )
        if status != 200:
            raise Failed(f"POST {action} as {self.who} answered {status} (at {final})")
        say(f"  {self.who}: POST {action} -> {final}")
        return final, content.decode(errors="replace")

    def log_in(self, email: str, password: str) -> None:
        page = self.get("/accounts/login/", expect='name="password"')
        final, _ = self.post_form(page, "/accounts/login/", {"login": email, "password": password})
        if final.startswith("/accounts/login/"):
            raise Failed(f"signing in as {email} failed: still on the sign-in page")


def form_action(page: str, ending: str) -> str:
    match = re.search(rf'action="(?P<action>[^"]*{re.escape(ending)})"', page)
    if match is None:
        raise Failed(f"the page has no form posting to …{ending}")
    return match["action"]


def journey(run: Run, content: dict, *, fresh: bool = True) -> None:
    """The people's visits; on a reused site (not ``fresh``) the trainee has done the course."""
    password = content["password"]
    trainee = Browser(run, "trainee")
    trainee.log_in("trainee@example.org", password)
    course_page = trainee.get(content["course_url"], expect="Responsive caregiving", host_page=True)
    stylesheet = re.search(rf'href="(?P<href>{re.escape(NHSUK_CSS)}[^"]*)"', course_page)
    trainee.get(stylesheet["href"], expect="nhsuk")
    if fresh:
        trainee.post_form(
            course_page, form_action(course_page, f"/courses/{content['course_id']}/enrol/")
        )
    trainee.get(content["module_url"], expect="Reading a baby", host_page=True)
    lesson_page = trainee.get(
        content["lesson_url"], expect="Notice, wait, respond.", host_page=True
    )
    # Completing the course's only lesson completes the course: the course page it lands on
    # links to the certificate, whose PDF the worker renders.
    if fresh:
        _, completed = trainee.post_form(
            lesson_page, form_action(lesson_page, f"/lessons/{content['lesson_id']}/complete/")
        )
    else:
        completed = trainee.get(content["course_url"])
    match = re.search(r'href="/certificates/(?P<code>[A-Z0-9-]+)/pdf/"', completed)
    if match is None:
        raise Failed("the course page links to no certificate after the course was completed")
    code = match["code"]
    trainee.get("/certificates/", expect=code, host_page=True)
    deadline = time.monotonic() + 90
    while True:
        status, _, pdf, headers = trainee.request(f"/certificates/{code}/pdf/")
        if status == 200 and pdf.startswith(b"%PDF"):
            break
        if time.monotonic() > deadline:
            raise Failed(
                f"the certificate PDF was not ready within 90 s (last answer {status}, "
                f"{headers.get('Content-Type')}); is the worker running?"
            )
        time.sleep(1)
    (run.work / "certificate.pdf").write_bytes(pdf)
    say(f"  trainee: GET /certificates/{code}/pdf/ 200, a {len(pdf)}-byte PDF")

    trainee.get("/learning/", expect="Responsive caregiving", host_page=True)
    trainee.get("/competencies/", host_page=True)
    # docs/install.md's languages section: a browser that asks for Welsh gets it.
    status, _, welsh, _ = trainee.request("/learning/", headers={"Accept-Language": "cy"})
    if status != 200 or "Fy nysgu" not in welsh.decode(errors="replace"):
        raise Failed(f"GET /learning/ in Welsh answered {status} without 'Fy nysgu'")
    say("  trainee: GET /learning/ with Accept-Language: cy 200, in Welsh")

    public = Browser(run, "public")
    # The H5P player, built into the wheel, is served with the apps' static files.
    public.get(f"/static/{PLAYER}/main.bundle.js")
    public.get(f"/verify/{code}/", expect="Responsive caregiving", host_page=True)
    status, _, body, headers = public.request(f"/api/v1/certificates/{code}/")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if status != 200 or not isinstance(data, dict) or code not in json.dumps(data):
        raise Failed(f"GET /api/v1/certificates/{code}/ answered {status}: {body[:200]!r}")
    say(f"  public: GET /api/v1/certificates/{code}/ 200 JSON")

    manager = Browser(run, "manager")
    manager.log_in("manager@example.org", password)
    manager.get("/compliance/", expect="Tess Trainee", host_page=True)

    admin = Browser(run, "admin")
    admin.log_in("admin@example.org", password)
    dashboard = admin.get("/admin/", expect="wagtail")
    menus = admin_menu_labels(dashboard)
    added = [label for label in menus if label not in WAGTAIL_MENUS]
    if added != ["Learning"]:
        raise Failed(f"the apps should add one admin menu, Learning, not {added} ({menus})")
    say(f"  admin menus: {', '.join(menus)}")


def admin_menu_labels(page: str) -> list[str]:
    """The labels of the Wagtail admin's top-level menu items, from the sidebar's props."""
    match = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(?P<json>.*?)</script>', page, re.S)
    if match is None:
        raise Failed("the admin page has no sidebar")
    # Telepath packs each module and menu item as {"_type": ..., "_args": [...]}; the main
    # menu's first argument is its list of top-level items, each with its label first.
    modules = json.loads(match["json"]).get("modules", [])
    main = next((m for m in modules if m.get("_type") == "wagtail.sidebar.MainMenuModule"), None)
    if main is None:
        raise Failed("the admin sidebar has no main menu")
    return [str(item["_args"][0].get("label", "")) for item in main["_args"][0]]


def install(run: Run) -> dict:
    """Steps 1 to 4 up to the content: everything before the site is served."""
    with step("build the wheel"):
        run.wheel = wheel_build(run)
    with step("check the wheel's contents"):
        wheel_check(run.wheel, run.files)
    with step(f"make a new Wagtail site with `wagtail start {PROJECT}`"):
        site_create(run)
    for block in doc_blocks():
        with step(f"docs/install.md: {block.spec}"):
            block_apply(block, run)
    with step("check the site (manage.py check)"):
        command([run.python, "manage.py", "check", "--fail-level", "ERROR"], run=run, cwd=run.site)
    with step("make content with manage.py shell"):
        content = content_create(run)
    (run.work / "content.json").write_text(json.dumps(content))
    return content


def reuse(run: Run) -> dict:
    """A kept site (HOST_TEST_REUSE): only its worker and scheduler are started again."""
    for block in doc_blocks():
        if block.spec == "background":
            with step(f"docs/install.md: {block.spec}"):
                block_apply(block, run)
    return json.loads((run.work / "content.json").read_text())


def main() -> int:
    # A stop from outside (Ctrl+C, CI's timeout) still stops the servers and workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # HOST_TEST_REUSE=FOLDER serves a site kept by an earlier run (HOST_TEST_KEEP=1) again and
    # repeats only the HTTP part, to look into a failure there quickly.
    reused = os.environ.get("HOST_TEST_REUSE")
    keep = bool(os.environ.get("HOST_TEST_KEEP")) or bool(reused)
    work = Path(reused) if reused else Path(tempfile.mkdtemp(prefix="imh-host-test."))
    run = Run(work=work, venv=work / "venv", site=work / PROJECT)
    status = 1
    try:
        content = reuse(run) if reused else install(run)
        with step("serve the site with runserver"):
            server_start(run)
        with step("use the site over HTTP"):
            journey(run, content, fresh=not reused)
        for name, process, _ in processes:
            if process.poll() is not None:
                raise Failed(f"{name} stopped during the test (exit {process.returncode})")
        status = 0
        say("passed")
    except Failed as error:
        print(f"\nhost test FAILED at: {error}", file=sys.stderr)
        logs = logs_from_first_error()
        if logs:
            print(logs, file=sys.stderr)
    finally:
        stop_processes()
        say("stopped the server, the worker and the scheduler")
        if keep or status:
            print(f"host test: the site, its logs and the pages fetched are in {work}")
        if not keep and not status:
            shutil.rmtree(work, ignore_errors=True)
            say(f"removed {work}")
    return status


if __name__ == "__main__":
    sys.exit(main())
