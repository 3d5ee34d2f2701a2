# The two set-up commands: `make run` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# CPU torch first, named in the same pip command as sentence-transformers, so pip never
# pulls the multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: run test lint eval bench bench-encoders bench-discord bench-scale export-onnx clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt "$(TORCH)" -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(STAMP)
	$(BIN)/python -m bench.evaluate

bench: $(STAMP)
	$(BIN)/python -m bench.benchmark

bench-encoders: $(STAMP)
	$(BIN)/python -m bench.encoders

export-onnx: $(STAMP)
	$(BIN)/python -m bot export-onnx

bench-discord: $(STAMP)
	$(BIN)/python -m bench.discord_bench

# Generated corpora of 1k/10k/100k paragraphs (docs/benchmarks.md); slow: embeds with MiniLM
# (cached under var/bench-scale/ after the first run).
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
