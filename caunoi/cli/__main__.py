from caunoi.cli import app

app()
