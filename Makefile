# The two commands a newcomer needs; see README.md.
.PHONY: run test lint infra-up infra-stop

run:  ## the whole platform with demo data, until Ctrl-C
	bash deploy/local/run.sh

test:  ## the whole test suite on real Kafka and a real MongoDB-wire server
	bash deploy/local/test.sh $(ARGS)

lint:
	bash deploy/local/python.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

infra-up:
	bash deploy/local/python.sh
	bash deploy/local/infra.sh up

infra-stop:
	bash deploy/local/infra.sh stop
