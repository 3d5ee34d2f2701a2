"""Retrieval: reading a question, resolving the sources it names, ranking sentences and
grading the answer; the article and speaker tables the bot lists."""
