from wallet_cli.main import run

run()
