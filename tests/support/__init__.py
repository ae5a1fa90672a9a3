"""What several test modules share: the `caunoi` command (cli), local servers (localweb, mail,
webhooks, app), a fake DNS (dns) and test articles (corpus). Test modules import their helpers from
here, never from one another; fixtures stay in conftest.py."""
