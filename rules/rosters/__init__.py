"""Reference rosters (deceased, public employees, cadres and kin, subsidy standards): commission
staff only, never public; ID numbers stored as disclosures store them, so joins never decrypt."""
