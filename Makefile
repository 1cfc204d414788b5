# The two set-up commands from the README:
#   make demo   converts a book (the bundled sample by default) into an .m4b
#   make test   runs the test suite
# Both install what they need first (scripts/setup.sh).
BOOK ?= samples/aesop.epub
OUT ?= audiobooks/$(basename $(notdir $(BOOK))).m4b
VENV ?= .venv
PYTEST_ARGS ?=

.PHONY: setup demo test bench clean
setup:
	@./scripts/setup.sh

demo: setup
	$(VENV)/bin/e2a pipeline "$(BOOK)" -o "$(OUT)" --progress
	@echo "wrote $(OUT)"

test: setup
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# One benchmark per stage; each prints a table (see bench/*).
bench: setup
	$(VENV)/bin/python bench/extract.py
	$(VENV)/bin/python bench/split.py
	$(VENV)/bin/python bench/speak.py
	$(VENV)/bin/python bench/bind

clean:
	rm -rf audiobooks tmp .pytest_cache
