"""The benchmark's phases, one module per family, composed into `bench.run.Run`."""
