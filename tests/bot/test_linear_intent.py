"""The intent classifier of config.yml, run in Rasa's own environment: it learns intents from
examples, survives being saved in and loaded from a model archive, and reads typos."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from knowledge.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
SNIPPET = """
import json, sys
from pathlib import Path
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.linear_intent import LinearIntentClassifier

examples = {
    "ask_responsibility": ["hvem har ansvaret for individuell plan", "kven har ansvar for bustad",
                           "hvem skal lage kriseplan", "hvem har ansvar for arbeid og IPS"],
    "thank": ["takk", "tusen takk", "takk for svaret", "mange takk"],
    "request_advisor": ["kan jeg snakke med en rådgiver", "sett meg over til et menneske",
                        "jeg vil snakke med en person", "kan noen ringe meg"],
}
data = TrainingData([Message.build(text=t, intent=i) for i, texts in examples.items() for t in texts])
storage = LocalModelStorage(Path(sys.argv[1]))
resource = Resource("linear_intent")
context = ExecutionContext(GraphSchema({}), "test")
trained = LinearIntentClassifier.create({}, storage, resource, context)
trained.train(data)
loaded = LinearIntentClassifier.load({}, storage, resource, context)
out = {}
for text in ["hvem har ansvaret for bolig", "tussen takk", "kan jeg få snakke med en rådgiver"]:
    message = Message.build(text=text)
    loaded.process([message])
    ranking = message.get("intent_ranking")
    out[text] = {"intent": message.get("intent")["name"], "total": sum(r["confidence"] for r in ranking)}
print(json.dumps(out))
"""


def test_intent_classifier_learns_saves_loads_and_reads_typos(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", SNIPPET, str(tmp_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["hvem har ansvaret for bolig"]["intent"] == "ask_responsibility"
    assert result["tussen takk"]["intent"] == "thank"
    assert result["kan jeg få snakke med en rådgiver"]["intent"] == "request_advisor"
    assert all(abs(r["total"] - 1.0) < 1e-6 for r in result.values())  # probabilities, for the fallback threshold
