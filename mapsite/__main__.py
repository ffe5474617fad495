from mapsite.cli.main import main

main()
