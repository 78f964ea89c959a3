"""Write the course map (from helpers/course.py) into README.md between the course-map markers."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers.course import course_map_markdown  # noqa: E402

readme = ROOT / "README.md"
text = readme.read_text()
block = "<!-- course-map:start -->\n" + course_map_markdown(link_prefix="notebooks/") + "\n<!-- course-map:end -->"
if "<!-- course-map:start -->" in text:
    text = re.sub(r"<!-- course-map:start -->.*?<!-- course-map:end -->", lambda m: block, text, flags=re.S)
else:
    text = text.replace("## Quick start", "## The course\n\n" + block + "\n\n## Quick start", 1)
readme.write_text(text)
print("README.md course map updated")
