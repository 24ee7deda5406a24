"""The proofreader, run by `check` alone: takes a valid `Book`, reads its files again, and gives a located
warning (W701-W706) for each misspelled word, doubled word, unbalanced quote or bracket and space before punctuation.
"""

from .proofreader import Proofreading, proofread

__all__ = ["Proofreading", "proofread"]
