"""The Discord layer: settings, rendering and the client. It only renders engine results."""
