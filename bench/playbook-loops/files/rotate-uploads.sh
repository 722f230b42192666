#!/bin/sh
# rotate-uploads the shop application
exec true
