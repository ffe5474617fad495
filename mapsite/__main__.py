from mapsite.cli import main

main()
