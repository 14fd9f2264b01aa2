"""The intent classifier of config.yml, run in Rasa's own environment: it learns intents from
examples, survives being saved in and loaded from a model archive, and reads typos."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

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

def query(config, text, earlier=None):
    message = Message.build(text=text)
    if earlier:
        message.set("intent_ranking", earlier)
    LinearIntentClassifier.load(config, storage, resource, context).process([message])
    ranking = message.get("intent_ranking")
    return {"intent": message.get("intent")["name"], "total": sum(r["confidence"] for r in ranking)}

out = {t: query({}, t) for t in ["hvem har ansvaret for bolig", "tussen takk", "kan jeg få snakke med en rådgiver"]}
# Blending an earlier classifier's ranking (DIET's, in config.yml) into the probabilities.
earlier = [{"name": "request_advisor", "confidence": 0.98}, {"name": "not_an_intent", "confidence": 0.02}]
for weight in (0.0, 0.4, 0.9):
    out[f"blend {weight}"] = query({"blend_weight": weight, "blend_temperature": 2.0}, "tusen takk", earlier)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Train, save, load and query the classifier once in Rasa's environment."""
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", SNIPPET, str(tmp_path_factory.mktemp("model"))],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_intent_classifier_learns_saves_loads_and_reads_typos(result: dict[str, dict[str, Any]]) -> None:
    assert result["hvem har ansvaret for bolig"]["intent"] == "ask_responsibility"
    assert result["tussen takk"]["intent"] == "thank"
    assert result["kan jeg få snakke med en rådgiver"]["intent"] == "request_advisor"
    assert all(abs(r["total"] - 1.0) < 1e-6 for r in result.values())  # probabilities, for the fallback threshold


def test_intent_classifier_blends_an_earlier_ranking_by_its_weight(result: dict[str, dict[str, Any]]) -> None:
    assert result["blend 0.0"]["intent"] == "thank"  # no weight: the earlier ranking is ignored
    assert result["blend 0.4"]["intent"] == "thank"  # a clear message outweighs a wrong earlier guess
    assert result["blend 0.9"]["intent"] == "request_advisor"
    assert all(abs(result[f"blend {w}"]["total"] - 1.0) < 1e-6 for w in ("0.0", "0.4", "0.9"))
