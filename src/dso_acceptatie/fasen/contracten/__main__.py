from dso_acceptatie.fasen.contracten.fase import main

raise SystemExit(main())
