# Kartoteka: `make run` serves the shipped sample; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: install index run test lint fuzz bench clean cluster cluster-stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/kartoteka reindex --sample --if-missing

run: index
	$(BIN)/kartoteka serve --port $(PORT)

lint: install
	$(BIN)/ruff check search indexer api tests bench deploy

# Two processes: tests/conftest.py keeps each module, and all tests on the cluster, on one.
test: install lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# A local two-node OpenSearch (deploy/opensearch/): jars via Maven, data in index_data/cluster/.
cluster:
	$(PYTHON) deploy/opensearch/cluster.py start

cluster-stop:
	$(PYTHON) deploy/opensearch/cluster.py stop

fuzz: install
	$(BIN)/python -m bench.fuzz --cases 10000

clean:
	rm -rf index_data/index .pytest_cache
