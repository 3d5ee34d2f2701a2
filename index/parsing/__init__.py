"""Parsing: article bytes to an ``Article`` — blocks, kinds, sentences, quotes and who
said each sentence (the ``attribution`` package); uploads checked before they are stored."""
