"""Rasa's SpacyNLP, in Rasa's own environment, loads the project's Norwegian pipeline.

Rasa 3.6 needs spaCy < 3.5; the pipeline is built with spaCy 3.4 for exactly this, so the
NLU configuration can use `SpacyNLP` with `model: nb_rop_core` on a machine without internet.
"""

from __future__ import annotations

import json
import subprocess

from knowledge.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
SNIPPET = """
import json
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.training_data.message import Message
nlp = SpacyNLP.load_model("nb_rop_core")
component = SpacyNLP(nlp, SpacyNLP.get_default_config())
message = Message.build(text="Kven har ansvaret for bustad til brukaren i kommunen?")
component.process([message], component.provide())
doc = message.get("text_spacy_doc")
print(json.dumps({"lang": nlp.model.lang, "tokens": [t.text for t in doc], "vector": doc.has_vector}))
"""


def test_rasa_spacy_nlp_loads_the_project_pipeline_and_processes_nynorsk() -> None:
    done = subprocess.run([str(RASA_PYTHON), "-c", SNIPPET], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["lang"] == "nb"
    assert result["tokens"][:3] == ["kven", "har", "ansvaret"] and result["tokens"][-1] == "?"  # lowercased by SpacyNLP
    assert result["vector"] is True
