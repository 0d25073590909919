"""``python -m slipway_demo_flat`` prints the installed version."""

from slipway_demo_flat import __version__

if __name__ == "__main__":
    print(f"slipway-demo-flat {__version__}")
