from dso_acceptatie.fasen.last.fase import main

raise SystemExit(main())
