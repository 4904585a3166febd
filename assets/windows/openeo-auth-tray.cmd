@echo off
rem openEO Auth Tray's command line: the installed app's binary in its command-line mode.
"%~dp0..\openeo-auth-tray.exe" --cli %*
exit /b %ERRORLEVEL%
