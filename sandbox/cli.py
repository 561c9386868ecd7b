"""``python -m thoughtgym.sandbox.cli {build,status,clean}`` (wired as ``thoughtgym sandbox ...``)."""

from __future__ import annotations

import argparse
import json
import sys

from .image import DEFAULT_IMAGE


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox command line; returns the exit status."""
    p = argparse.ArgumentParser(prog="thoughtgym sandbox", description="Manage the code sandbox.")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the Docker image offline (debootstrap + docker import)")
    b.add_argument("--tag", default=DEFAULT_IMAGE)
    b.add_argument("--force", action="store_true", help="rebuild even if the tag exists")
    b.add_argument("--rootfs", default=None, help="where to keep the debootstrap tree")
    s = sub.add_parser("status", help="print which backends work here (one JSON line)")
    s.add_argument("--tag", default=DEFAULT_IMAGE)
    sub.add_parser("clean", help="remove containers left behind by crashed pools")
    a = p.parse_args(argv)

    if a.cmd == "build":
        from .image import build_image

        try:
            build_image(a.tag, force=a.force, rootfs=a.rootfs)
        except Exception as e:
            print(f"sandbox build failed: {e}", file=sys.stderr)
            return 1
        return 0
    if a.cmd == "status":
        from .docker_backend import docker_client, image_exists
        from .process_backend import detect_isolation

        client = docker_client()
        info = {
            "docker_engine": client is not None,
            "image": a.tag,
            "image_present": bool(client is not None and image_exists(client, a.tag)),
            "process_isolation": detect_isolation(),
        }
        info["auto_backend"] = "docker" if info["image_present"] else "process"
        print(json.dumps(info))
        return 0
    if a.cmd == "clean":
        from .docker_backend import docker_client, remove_stale_containers

        client = docker_client()
        n = remove_stale_containers(client) if client is not None else 0
        print(json.dumps({"removed": n}))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
