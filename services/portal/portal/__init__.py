"""The portal: server-rendered pages for every person who uses the platform, on the services' HTTP APIs."""
