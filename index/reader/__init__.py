"""The reader: a small cross-encoder trained here that reads a question and a candidate
sentence together (``model.Reader``); ``pairs`` writes the pairs it reads."""
