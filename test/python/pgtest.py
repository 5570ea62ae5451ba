"""Shared by the Python suites that need a server: a fresh database with
the extension for one test module (PGHOST, PGPORT, PGUSER from the
environment)."""
import psycopg


def create_database(name):
    """Drop and create database name, with CREATE EXTENSION secant_pre."""
    with psycopg.connect(dbname="postgres", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS %s" % name)
        c.execute("CREATE DATABASE %s" % name)
    with psycopg.connect(dbname=name, autocommit=True) as c:
        c.execute("CREATE EXTENSION secant_pre")


def drop_database(name):
    with psycopg.connect(dbname="postgres", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS %s" % name)
