# Setup: on Colab, fetch the course and install mmser_lib into this very kernel (TensorFlow is already there).
# Elsewhere this cell does nothing: run `make setup` once instead (see README).
import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = "https://github.com/mmser/mmser"  # set once in pyproject.toml; `make notebooks` writes it here
COURSE = Path("/content/mmser")
if "google.colab" in sys.modules:
    if not (COURSE / "pyproject.toml").is_file():
        subprocess.run(["git", "clone", "--depth", "1", REPOSITORY, str(COURSE)], check=True)
    # the library with Whisper, transformers and MiniLM; Colab's own TensorFlow, Keras and torch stay
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{COURSE}[all]"], check=True)
    sys.path.insert(0, str(COURSE))  # an editable install reaches sys.path in the next kernel only: import it now
    os.chdir(COURSE / "notebooks")
