"""Claims and disputes: speech acts, targets and dispute edges over extracted attributions.

quotegraph reports who says what about whose claims; nothing here judges what is true.
``analyse_disputes(doc, attributions, speakers)`` is the one entry point extraction calls.
"""

from quotegraph.disputes.acts import ACTS, DISPUTE_ACTS, ActGuess, classify_act
from quotegraph.disputes.disputes import analyse_disputes

__all__ = ["ACTS", "DISPUTE_ACTS", "ActGuess", "analyse_disputes", "classify_act"]
