"""Customer books under continuous monitoring: import by row id, full and delta re-screening
after every list update, point-in-time screening, in-process or on a Dask cluster.

    readers    CSV / Parquet -> BookRow (pure)
    blocking   candidates whose outcome depends on the (row, entry) pair alone (pure)
    alerts     Alert, screen_row, compare, carry_over (pure)
    asof       which snapshot was in force on a date (pure)
    storage    book tables in the store's database
    batch      all cores of this machine (fork pool)
    dask_batch a Dask cluster, Parquet partitions in and out
    rescreen   full and delta re-screens (orchestration)
"""
