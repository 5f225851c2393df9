from dso_acceptatie.cli import main

raise SystemExit(main())
