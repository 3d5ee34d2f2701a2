"""The shipped reader's shape and sha256 (rewritten by ``bench/train_reader.py --write``).

The file shipped now is the held-out fold-0 model of a 2-layer run (trained on the other
fold's articles only); the reader is off by default (``READER=off``) because, held out by
article, it does not yet beat the signals it would replace (docs/evaluation.md).
"""

LAYERS = 2
READER_SHA256 = "78a7cf676a69105c98ef484a247f50a5587b96666c848bdacf5cb495436e9fae"
READER_WEIGHT = 0.0
