"""Media: untrusted image and audio bytes made safe and light, where they come from, and reuse."""
