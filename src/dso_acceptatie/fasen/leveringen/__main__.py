from dso_acceptatie.fasen.leveringen.fase import main

raise SystemExit(main())
