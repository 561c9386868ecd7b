"""Build the sandbox image.

Offline (no registry can be reached, as in CI here) the image is a Debian root filesystem made with
``debootstrap --variant=minbase --include=python3`` (full Python standard library), using
debootstrap's default mirror, and imported with ``docker import``. The debootstrap tree is cached
under ``~/.cache/thoughtgym`` and the build is skipped when the tag already exists (``force`` rebuilds).
The worker script is not baked in: it is bind-mounted read-only when a container starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable

SUITE = "bookworm"
IMAGE_VERSION = "1"
DEFAULT_IMAGE = f"thoughtgym-sandbox:{SUITE}-{IMAGE_VERSION}"
CACHE_DIR = os.path.join(os.path.expanduser("~"), ".cache", "thoughtgym")


def _say(msg: str) -> None:
    print(f"[sandbox build {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def image_present(tag: str = DEFAULT_IMAGE) -> bool:
    r = subprocess.run(["docker", "image", "inspect", tag], capture_output=True)
    return r.returncode == 0


def rootfs_ok(path: str) -> bool:
    """A finished debootstrap tree with a working standard library."""
    return all(os.path.exists(os.path.join(path, p)) for p in (
        "usr/bin/python3", "usr/lib/python3.11/json/__init__.py", "usr/lib/python3.11/ctypes/__init__.py",
        "usr/lib/python3.11/secrets.py",
    )) and os.path.exists(os.path.join(path, ".thoughtgym-complete"))


def build_rootfs(path: str, suite: str = SUITE, say: Callable[[str], None] = _say) -> None:
    """Run debootstrap into ``path`` (needs root and the debootstrap package)."""
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed (apt-get install -y debootstrap)")
    partial = path + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    say(f"debootstrap --variant=minbase --include=python3 {suite} (a few minutes)")
    cmd = ["debootstrap", "--variant=minbase", "--include=python3", suite, partial]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        if line.startswith(("I: Retrieving", "I: Extracting", "I: Installing", "I: Configuring", "I: Base",
                            "E:", "W:")) and "Retrieving Release" not in line:
            say(f"  {line}")
    if proc.wait() != 0:
        raise RuntimeError(f"debootstrap failed with code {proc.returncode}")
    _trim(partial, say)
    open(os.path.join(partial, ".thoughtgym-complete"), "w").close()
    shutil.rmtree(path, ignore_errors=True)
    os.rename(partial, path)


def _trim(root: str, say: Callable[[str], None]) -> None:
    """Drop apt caches and docs (smaller import); keep everything Python needs."""
    say("trimming apt caches and documentation")
    for rel in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
                "usr/share/info", "usr/share/locale"):
        p = os.path.join(root, rel)
        if os.path.isdir(p):
            for e in os.scandir(p):
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path, ignore_errors=True)
                elif e.name not in ("lock", "partial"):
                    try:
                        os.unlink(e.path)
                    except OSError:
                        pass


def build_image(tag: str = DEFAULT_IMAGE, force: bool = False, rootfs: str | None = None,
                say: Callable[[str], None] = _say) -> str:
    """Make sure ``tag`` exists; build it offline with debootstrap + ``docker import`` if needed."""
    if shutil.which("docker") is None:
        raise RuntimeError("the docker CLI is not installed")
    if not force and image_present(tag):
        say(f"image {tag} already exists (use --force to rebuild)")
        return tag
    rootfs = rootfs or os.path.join(CACHE_DIR, f"rootfs-{SUITE}")
    os.makedirs(os.path.dirname(rootfs), exist_ok=True)
    if force or not rootfs_ok(rootfs):
        say(f"stage 1/3: building root filesystem in {rootfs}")
        build_rootfs(rootfs, say=say)
    else:
        say(f"stage 1/3: reusing cached root filesystem {rootfs}")
    say(f"stage 2/3: docker import -> {tag}")
    tar = subprocess.Popen(["tar", "--numeric-owner", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
    imp = subprocess.run(["docker", "import", "--change", "ENV PATH=/usr/local/bin:/usr/bin:/bin",
                          "--change", "ENV LANG=C.UTF-8", "-", tag], stdin=tar.stdout, capture_output=True, text=True)
    assert tar.stdout is not None
    tar.stdout.close()
    tar.wait()
    if imp.returncode != 0 or tar.returncode != 0:
        raise RuntimeError(f"docker import failed: {imp.stderr.strip()}")
    say("stage 3/3: smoke test (python3 inside the image)")
    r = subprocess.run(["docker", "run", "--rm", "--network", "none", tag, "/usr/bin/python3", "-I", "-c",
                        "import json, ctypes, secrets, sqlite3; print('ok')"], capture_output=True, text=True)
    if r.returncode != 0 or "ok" not in r.stdout:
        raise RuntimeError(f"smoke test failed: {r.stderr.strip()[-500:]}")
    say(f"done: {tag}")
    return tag
