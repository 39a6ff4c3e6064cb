"""What is learned and how: the models, their detectors, the race of candidates, one
tick's learning and the commit built from it. No database, network or process here."""
