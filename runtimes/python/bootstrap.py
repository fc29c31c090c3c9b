# The Python runtime's entry: python3 -u /var/runtime/bootstrap.py (the bootstrap script runs it).
from lamina_runtime.runtime import main

main()
