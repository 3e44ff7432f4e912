"""The base models the sandbox offers: the contract's three, with display names."""

from __future__ import annotations

MODELS: tuple[dict[str, str], ...] = (
    {"id": "meta-llama/Llama-3.1-8B-Instruct", "displayName": "Llama 3.1 8B Instruct"},
    {
        "id": "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
        "displayName": "DeepSeek R1 Distill Llama 70B",
    },
    {"id": "Qwen/QwQ-32B", "displayName": "QwQ 32B"},
)
MODEL_IDS: frozenset[str] = frozenset(model["id"] for model in MODELS)
