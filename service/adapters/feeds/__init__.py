"""Calendar feeds: fetching ICS data safely from URLs and files."""
