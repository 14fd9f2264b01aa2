"""The conversation's written standard, from the gateway's metadata, as the entity `language`.

Why: the gateway decides whether a worker writes nynorsk (contract.language) and sends it with every
message; this component turns it into an entity that fills the `language` slot, whose value picks
the responses' nynorsk variations (`condition: [{type: slot, name: language, value: nn}]` in
bot/domain.yml) and tells the actions which words to use. Nothing is learned: NLU and the dialogue
policies never see it (the slot and the entity do not influence the conversation).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from contract.language import LANGUAGE_ENTITY, LANGUAGE_METADATA, as_language


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageExtractor(GraphComponent):
    """Adds the entity `language` ("nb" or "nn") when the message's metadata names one."""

    def __init__(self, name: str) -> None:
        self._name = name

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageExtractor:
        """An extractor; it has nothing to train."""
        return cls(execution_context.node_name or cls.__name__)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the entity to each message whose metadata names a language."""
        for message in messages:
            language = as_language((message.get(METADATA) or {}).get(LANGUAGE_METADATA))
            if language is None:
                continue
            entity = {"entity": LANGUAGE_ENTITY, "value": language, "start": 0, "end": len(message.get(TEXT) or "")}
            message.set(ENTITIES, [*message.get(ENTITIES, []), {**entity, "extractor": self._name}], add_to_output=True)
        return messages
