"""Write the course map (from helpers/course/__init__.py) into README.md between the course-map markers."""

import re
from pathlib import Path

from helpers.course import course_map_markdown

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    block = START + "\n" + course_map_markdown(link_prefix="notebooks/") + "\n" + END
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda m: block, text, flags=re.S)
    else:
        text = text.replace("## Quick start", "## The course\n\n" + block + "\n\n## Quick start", 1)
    readme.write_text(text)
    print("README.md course map updated")


if __name__ == "__main__":
    main()
