from devnet.tron_sandbox import main

main()
