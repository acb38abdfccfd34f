"""Restricted by extension: ownership edges in, the OFAC 50 % rule and BIS Affiliates rule out.

    from entityscreen.ownership import evaluate, prepare
"""

from entityscreen.ownership.engine import Evaluation, evaluate
from entityscreen.ownership.graph import prepare
from entityscreen.ownership.model import (
    Basis,
    Edge,
    Issue,
    Link,
    OwnershipNode,
    OwnershipPath,
    Seed,
    Status,
    Step,
    Verdict,
)

__all__ = [
    "Basis",
    "Edge",
    "Evaluation",
    "Issue",
    "Link",
    "OwnershipNode",
    "OwnershipPath",
    "Seed",
    "Status",
    "Step",
    "Verdict",
    "evaluate",
    "prepare",
]
