from haat_tools.cli import main

main()
