"""Understanding: article text -> spaCy Doc -> role spans -> attributions -> speakers."""
