"""Give each learner their own copies of the notebooks, so that course updates never conflict with their work.

``make lab`` runs this, then opens JupyterLab on ``my-notebooks/`` (git-ignored). On the first run every
``notebooks/NN_*.ipynb`` is copied there; later runs copy only notebooks that are new in the course and
never overwrite a learner's file. When the course version of a notebook has changed since the copy was
made, it says so and how to get the new version. The copies are plain notebooks, not paired with a ``.py``
file (pairing is for maintainers, who edit ``notebooks/NN_*.py``; see CONTRIBUTING.md).

    python tools/learner_copies.py [--dest my-notebooks]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
DEFAULT_DEST = ROOT / "my-notebooks"
STATE_FILE = ".course-versions.json"  # sha256 of the course notebook each copy was made from
JUPYTEXT_OFF = '# Learners\' copies are plain notebooks: no paired .py files here.\nformats = "ipynb"\n'
README = """Your copies of the IoU Lab notebooks (made by `make lab`; git ignores this folder).

Edit and run them freely: `git pull` never touches them. When the course updates a notebook,
`make lab` tells you; to get the new version, rename or delete your copy and run `make lab` again.
The originals are in ../notebooks/ (solutions in ../notebooks/solutions/).
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plain_copy(source: Path) -> str:
    """The notebook's JSON without its jupytext pairing, so saving it never writes a .py twin."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("jupytext", None)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def update(dest: Path = DEFAULT_DEST, source: Path = SOURCE) -> list:
    """Copy new course notebooks into ``dest``; never overwrite. Return messages for the learner."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "jupytext.toml").write_text(JUPYTEXT_OFF)
    readme = dest / "README.md"
    if not readme.exists():
        readme.write_text(README)
    state_path = dest / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    messages = []
    for nb in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        target, digest = dest / nb.name, _sha256(nb)
        if not target.exists():
            target.write_text(plain_copy(nb), encoding="utf-8")
            state[nb.name] = digest
            messages.append(f"copied {nb.name}")
        elif state.get(nb.name) not in (None, digest):
            messages.append(
                f"the course updated {nb.name} since your copy was made: to get the new version, "
                f"rename or delete {dest.name}/{nb.name} and run `make lab` again"
            )
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    return messages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args(argv)
    for message in update(args.dest):
        print(f"{args.dest.name}/: {message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
